// The page's LZMA decoder (web/unlzma.mjs) against xz, the format's reference encoder:
// what xz packs, the decoder gives back byte for byte; what is not such a stream, it
// refuses with an error, never a hang or a read past an end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import nodeTest from 'node:test';
import { lzma } from '../../scripts/post-build.mjs';
import { lzmaStream, unlzma } from '../../web/unlzma.mjs';

// A decoder that loops would stall the test command: each test fails after a minute.
const test = (name, fn) => nodeTest(name, { timeout: 60_000 }, fn);

/** Deterministic bytes: a seeded stream, so a failure is found again. */
function bytes(seed, n) {
  const out = Buffer.alloc(n);
  let block = Buffer.alloc(0);
  for (let i = 0, k = 0; i < n; i += 1) {
    if (i % 32 === 0) block = crypto.createHash('sha256').update(`${seed}/${k++}`).digest();
    out[i] = block[i % 32];
  }
  return out;
}

const samples = {
  empty: Buffer.alloc(0),
  'one byte': Buffer.from('a'),
  // Incompressible: every literal, no match.
  random: bytes('random', 200_000),
  // Long repeats: the longest matches and the rep0 paths.
  repeated: Buffer.from('abcabc\n'.repeat(300_000)),
  // Text and code, like the page's own strings and its wasm's code.
  sources: Buffer.concat(['README.md', 'ARCHITECTURE.md', 'web/unlzma.mjs', 'scripts/post-build.mjs'].map((f) => fs.readFileSync(f))),
  // Far distances past 2^16 (the direct-bits and align paths) with near repeats between.
  'far matches': Buffer.concat([bytes('far', 100_000), Buffer.from('x'.repeat(5000)), bytes('far', 100_000).subarray(50_000), bytes('near', 70_000)]),
};

test('what xz packs with the page build options, the decoder gives back', () => {
  for (const [name, input] of Object.entries(samples)) {
    const out = unlzma(lzma(input));
    assert.ok(Buffer.from(out).equals(input), `${name}: ${input.length} bytes did not come back`);
  }
});

test('literal context, literal position and position bits: six settings that use each value xz allows', () => {
  const input = samples.sources;
  for (const [lc, lp, pb] of [[0, 0, 0], [3, 0, 2], [0, 4, 4], [1, 3, 1], [2, 2, 3], [4, 0, 4]]) {
    const packed = execFileSync('xz', ['--format=lzma', `--lzma1=preset=6,lc=${lc},lp=${lp},pb=${pb}`, '--stdout'], { input });
    let size = input.length;
    for (let i = 5; i < 13; i += 1, size = Math.floor(size / 256)) packed[i] = size % 256;
    assert.ok(Buffer.from(unlzma(packed)).equals(input), `lc=${lc} lp=${lp} pb=${pb}`);
  }
});

test('a stream whose header says "size unknown" (as xz writes it) is refused', () => {
  const packed = execFileSync('xz', ['--format=lzma', '--stdout'], { input: samples.sources });
  assert.throws(() => unlzma(packed), /size unknown/);
});

test('a cut or damaged stream is an error or other bytes, never a hang or a read past an end', () => {
  const input = samples.sources;
  const packed = lzma(input);
  assert.throws(() => unlzma(packed.subarray(0, 10)), /short header/);
  assert.throws(() => unlzma(packed.subarray(0, packed.length >> 1)), /input ends early/);
  assert.throws(() => unlzma(Buffer.concat([Buffer.from([225]), packed.subarray(1)])), /bad properties/);
  // A header one byte longer than the stream: its end marker comes first.
  const longer = Buffer.from(packed);
  longer.writeUInt32LE(input.length + 1, 5);
  assert.throws(() => unlzma(longer), /stream ends before its size/);
  // The range coder's first byte is always zero.
  const badStart = Buffer.from(packed);
  badStart[13] = 1;
  assert.throws(() => unlzma(badStart), /bad range coder start/);
  // A header cannot make it allocate more than 64 MiB.
  const huge = Buffer.from(packed.subarray(0, 13));
  huge.writeUInt32LE(64 * 1024 * 1024 + 1, 5);
  assert.throws(() => unlzma(huge), /too large/);
  // Damage: the decoder must catch what would read before the output's start (in JS a
  // typed array read past its end gives undefined, not an error).
  const refusals = new Map();
  for (let k = 0; k < 300; k += 1) {
    const damaged = Buffer.from(packed);
    const at = 14 + (bytes(`at${k}`, 4).readUInt32LE(0) % (packed.length - 14));
    damaged[at] ^= 1 + (k % 255);
    try {
      const out = unlzma(damaged);
      assert.equal(out.length, input.length);
    } catch (e) {
      assert.match(e.message, /^lzma: /);
      refusals.set(e.message, (refusals.get(e.message) ?? 0) + 1);
    }
  }
  assert.ok(refusals.get('lzma: distance before the start') > 0, `refusals: ${[...refusals]}`);
});

/** `packed` fed to a stream in chunks of the given sizes (cycled); what each push gave, joined. */
function fedInChunks(packed, sizes) {
  const stream = lzmaStream();
  const pieces = [];
  let at = 0;
  for (let k = 0; at < packed.length || k === 0; k += 1) {
    const n = sizes[k % sizes.length];
    const last = at + n >= packed.length;
    pieces.push(Buffer.from(stream.push(packed.subarray(at, at + n), last)));
    at += n;
  }
  return { joined: Buffer.concat(pieces), whole: Buffer.from(stream.output()), pieces };
}

test('fed as it arrives, in chunks of any size, the decoder gives the same bytes in order', () => {
  for (const [name, input] of Object.entries(samples)) {
    const packed = lzma(input);
    const sizes = [[1], [7, 300, 2], [4096], [65536], [...bytes(name, 16)].map((b) => 1 + b * 40)];
    for (const chunks of sizes) {
      const { joined, whole, pieces } = fedInChunks(packed, chunks);
      assert.ok(joined.equals(input), `${name} in chunks of ${chunks.slice(0, 3)}: the pieces`);
      assert.ok(whole.equals(input), `${name} in chunks of ${chunks.slice(0, 3)}: the output`);
      // Decoding keeps up with the input: a large stream comes out in many pieces, not at the end.
      if (packed.length > 40_000 && chunks[0] === 4096) {
        assert.ok(pieces.filter((p) => p.length > 0).length > 10, `${name}: ${pieces.length} pushes`);
      }
    }
  }
});

test('fed in chunks, a cut or damaged stream is the same error as whole', () => {
  const packed = lzma(samples.sources);
  assert.throws(() => fedInChunks(packed.subarray(0, 10), [3]), /short header/);
  assert.throws(() => fedInChunks(packed.subarray(0, packed.length >> 1), [1000]), /input ends early/);
  const longer = Buffer.from(packed);
  longer.writeUInt32LE(samples.sources.length + 1, 5);
  assert.throws(() => fedInChunks(longer, [999]), /stream ends before its size/);
  // Before the last chunk nothing is read past what came, however the chunks fall.
  const stream = lzmaStream();
  for (let at = 0; at + 100 < packed.length; at += 100) stream.push(packed.subarray(at, at + 100), false);
  assert.ok(stream.output().length < samples.sources.length, 'not all decoded before the end came');
});

test('after an error the stream decodes nothing more', () => {
  const packed = lzma(samples.sources);
  const damaged = Buffer.from(packed);
  damaged[13] = 1;
  const stream = lzmaStream();
  assert.throws(() => stream.push(damaged.subarray(0, 4096), false), /bad range coder start/);
  assert.throws(() => stream.push(damaged.subarray(4096), true), /already failed/);
});

test('the decoder file declares only functions at its top level', () => {
  // The page inlines it after a top-level await (scripts/post-build.mjs): a top-level
  // const or let would not be initialised yet when the loader's stream calls it.
  const source = fs.readFileSync('web/unlzma.mjs', 'utf8');
  const declarations = source.split('\n').filter((line) => /^(export\s+)?(const|let|var|class)\b/.test(line));
  assert.deepEqual(declarations, []);
  assert.ok(/^export function unlzma\(/m.test(source) && /^export function lzmaStream\(/m.test(source));
});
