// LZMA decoder for the page's own wasm (the .lzma format `xz --format=lzma` writes, with
// the size filled in by scripts/post-build.mjs). LZMA takes the wasm to 81 % of its
// gzip -9 size, because its window covers the whole module where gzip's covers 32 KB.
// Follows Igor Pavlov's LzmaSpec (the format's reference decoder), written here.
// Throws on any input that is not such a stream; it never reads or writes past an end.
// It decodes as the stream arrives (`lzmaStream`): the page compiles the wasm as it is
// decoded, instead of after the download and then the decode.

/** The whole of `input`, decoded. */
export function unlzma(input) {
  const stream = lzmaStream();
  stream.push(input, true);
  return stream.output();
}

/** A decoder fed in chunks: `push(chunk, last)` returns the bytes newly decoded (a view
 * into the output, never written again); `output()` is everything decoded so far. */
export function lzmaStream() {
  // More than one symbol can read (about 60 bytes: a match's bits and 26 direct bits), so
  // a symbol begun this far from the end of what has come never runs out of input. Not a
  // module constant: the page inlines this file after a top-level await, and only
  // function declarations are there before it.
  const MARGIN = 256;
  let input = new Uint8Array(0);
  let have = 0;
  let decoder = null;
  let failed = false;
  return {
    push(chunk, last) {
      // After an error the state is half way through a symbol: nothing more is decoded.
      if (failed) throw new Error('lzma: the stream already failed');
      try {
        return feed(chunk, last);
      } catch (e) {
        failed = true;
        throw e;
      }
    },
    output: () => (decoder ? decoder.out.subarray(0, decoder.pos()) : new Uint8Array(0)),
  };
  function feed(chunk, last) {
    if (have === 0 && last) {
      input = chunk;
    } else {
      if (have + chunk.length > input.length) {
        const grown = new Uint8Array(Math.max(have + chunk.length, input.length * 2, 1 << 16));
        grown.set(input.subarray(0, have));
        input = grown;
      }
      input.set(chunk, have);
    }
    have += chunk.length;
    // The header and the range coder's first five bytes.
    if (!decoder) {
      if (have < 18 && !last) return new Uint8Array(0);
      decoder = start(() => input, () => have);
    }
    const from = decoder.pos();
    decoder.run(last ? Infinity : have - MARGIN);
    if (last) decoder.finish();
    return decoder.out.subarray(from, decoder.pos());
  }
}

function start(bytes, available) {
  const input = bytes();
  const props = input[0];
  if (!(props < 225)) throw new Error('lzma: bad properties');
  const lc = props % 9;
  const lp = ((props / 9) | 0) % 5;
  const pb = (props / 45) | 0;
  let size = 0;
  for (let i = 12; i >= 5; i--) {
    if (i >= available()) throw new Error('lzma: short header');
    size = size * 256 + input[i];
  }
  // 64 MiB is 60 times the page's wasm: a 13-byte header cannot make it allocate more.
  // An unknown size (all ones) is refused too.
  if (size > 64 * 1024 * 1024) throw new Error('lzma: size unknown or too large');
  const out = new Uint8Array(size);

  // Probabilities, one table; each model's offset below.
  const IS_MATCH = 0;
  const IS_REP = 192;
  const IS_REP_G0 = 204;
  const IS_REP_G1 = 216;
  const IS_REP_G2 = 228;
  const IS_REP0_LONG = 240;
  const POS_SLOT = 432;
  const POS_SPECIAL = 688;
  const ALIGN = 803;
  const LEN = 819;
  const REP_LEN = 1333;
  const LITERAL = 1847;
  const probs = new Uint16Array(LITERAL + (0x300 << (lc + lp))).fill(1024);

  let inPos = 13;
  // What has come so far: the buffer grows, so it is asked for again at each run.
  let data = input;
  let end = available();
  const next = () => {
    if (inPos >= end) throw new Error('lzma: input ends early');
    return data[inPos++];
  };
  if (next() !== 0) throw new Error('lzma: bad range coder start');
  // The range coder's range and code, in a typed array: as captured variables, every
  // store of a number past 2^30 would allocate. Measured: 10 % faster.
  const rc = new Uint32Array(2);
  rc[0] = 0xffffffff;
  for (let i = 0; i < 4; i++) rc[1] = rc[1] * 256 + next();
  if (rc[1] === rc[0]) throw new Error('lzma: bad range coder start');

  // Integer arithmetic throughout (imul, shifts): the same values as with * and -,
  // without float operations. Measured: 10 % faster.
  const bit = (i) => {
    let range = rc[0];
    let code = rc[1];
    const p = probs[i];
    const bound = Math.imul(range >>> 11, p) >>> 0;
    let b;
    if (code < bound) {
      range = bound;
      probs[i] = p + ((2048 - p) >> 5);
      b = 0;
    } else {
      range = (range - bound) >>> 0;
      code = (code - bound) >>> 0;
      probs[i] = p - (p >> 5);
      b = 1;
    }
    if (range < 0x1000000) {
      range = (range << 8) >>> 0;
      code = ((code << 8) | next()) >>> 0;
    }
    rc[0] = range;
    rc[1] = code;
    return b;
  };
  const tree = (base, bits) => {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | bit(base + m);
    return m - (1 << bits);
  };
  const reverse = (base, bits) => {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const b = bit(base + m);
      m = (m << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  };
  const direct = (bits) => {
    let range = rc[0];
    let code = rc[1];
    let result = 0;
    for (let i = 0; i < bits; i++) {
      range >>>= 1;
      let b = 0;
      if (code >= range) {
        code = (code - range) >>> 0;
        b = 1;
      }
      result = ((result << 1) | b) >>> 0;
      if (range < 0x1000000) {
        range = (range << 8) >>> 0;
        code = ((code << 8) | next()) >>> 0;
      }
    }
    rc[0] = range;
    rc[1] = code;
    return result;
  };
  // Lengths 0..271, before the minimum match of 2 is added.
  const length = (base, posState) => {
    if (bit(base) === 0) return tree(base + 2 + (posState << 3), 3);
    if (bit(base + 1) === 0) return 8 + tree(base + 130 + (posState << 3), 3);
    return 16 + tree(base + 258, 8);
  };

  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let pos = 0;
  let ended = false;
  const run = (limit) => {
    if (ended) return;
    data = bytes();
    end = available();
    while (pos < size) {
      if (inPos > limit) return;
      const posState = pos & pbMask;
      if (bit(IS_MATCH + (state << 4) + posState) === 0) {
        const previous = pos > 0 ? out[pos - 1] : 0;
        const base = LITERAL + 0x300 * (((pos & lpMask) << lc) + (previous >> (8 - lc)));
        let symbol = 1;
        if (state >= 7) {
          let matchByte = out[pos - rep0 - 1];
          while (symbol < 0x100) {
            const matchBit = (matchByte >> 7) & 1;
            matchByte <<= 1;
            const b = bit(base + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | b;
            if (matchBit !== b) break;
          }
        }
        while (symbol < 0x100) symbol = (symbol << 1) | bit(base + symbol);
        out[pos++] = symbol;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len;
      if (bit(IS_REP + state) !== 0) {
        if (pos === 0) throw new Error('lzma: repeat before any output');
        if (bit(IS_REP_G0 + state) === 0) {
          if (bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
            state = state < 7 ? 9 : 11;
            out[pos] = out[pos - rep0 - 1];
            pos++;
            continue;
          }
        } else {
          let distance;
          if (bit(IS_REP_G1 + state) === 0) {
            distance = rep1;
          } else {
            if (bit(IS_REP_G2 + state) === 0) {
              distance = rep2;
            } else {
              distance = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = distance;
        }
        len = length(REP_LEN, posState);
        state = state < 7 ? 8 : 11;
      } else {
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        len = length(LEN, posState);
        state = state < 7 ? 7 : 10;
        const slot = tree(POS_SLOT + ((len < 3 ? len : 3) << 6), 6);
        if (slot < 4) {
          rep0 = slot;
        } else {
          const bits = (slot >> 1) - 1;
          let distance = (2 | (slot & 1)) * 2 ** bits;
          if (slot < 14) {
            distance += reverse(POS_SPECIAL + distance - slot, bits);
          } else {
            distance += direct(bits - 4) * 16;
            distance += reverse(ALIGN, 4);
          }
          rep0 = distance;
        }
        // The end marker, before the known size was reached.
        if (rep0 === 0xffffffff) {
          ended = true;
          return;
        }
        if (rep0 >= pos) throw new Error('lzma: distance before the start');
      }
      len += 2;
      if (len > size - pos) throw new Error('lzma: match past the end');
      for (; len > 0; len--, pos++) out[pos] = out[pos - rep0 - 1];
    }
  };
  const finish = () => {
    if (pos !== size) throw new Error('lzma: stream ends before its size');
  };
  return { out, run, finish, pos: () => pos };
}
