// Short import names for the page's wasm, and the same names in its JS glue.
//
// wasm-bindgen names every function the wasm imports from its glue after the JS
// function plus a 16-hex-digit hash (`__wbg_slice_b94f88ac0a502e53`), and both
// files spell every name out: 137 imports, about 4.7 KB in each, whose hashes
// gzip cannot compress. Renamed to one or two letters, the page weighs about
// 4.5 KB gzip less; nothing else in either file changes. A name that is not found
// exactly once in the glue stops the build rather than leave a page that cannot
// load.

const MODULE = /^\.\/.*_bg\.js$/;

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function u32(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [Buffer.from(bytes.subarray(start, start + length)).toString('utf8'), start + length];
}

function name(text) {
  const utf8 = Buffer.from(text, 'utf8');
  return [...u32(utf8.length), ...utf8];
}

// Skips an import's description (function, table, memory, global or tag).
function skipDescription(bytes, at) {
  const kind = bytes[at++];
  const limits = (p) => {
    const flags = bytes[p++];
    [, p] = readU32(bytes, p);
    if (flags & 1) [, p] = readU32(bytes, p);
    return p;
  };
  switch (kind) {
    case 0: return readU32(bytes, at)[1];
    case 1: return limits(at + 1);
    case 2: return limits(at);
    case 3: return at + 2;
    case 4: return readU32(bytes, at + 1)[1];
    default: throw new Error(`wasm import of unknown kind ${kind}`);
  }
}

// a, b, …, Z, aa, ab, …: valid JS property names, never `__proto__`.
function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  do {
    out = letters[index % letters.length] + out;
    index = Math.floor(index / letters.length) - 1;
  } while (index >= 0);
  return out;
}

/** The glue's spelling of `name` as a whole identifier, for every occurrence. */
function wholeName(name) {
  return new RegExp(`(?<![\\w$])${name.replace(/[$.*+?^()[\]{}|\\]/g, '\\$&')}(?![\\w$])`, 'g');
}

/** The wasm with section `id` rebuilt entry by entry: `entry(p)` reads the entry
 * at `p` and returns its new bytes and where the next one starts. */
function rewriteSection(wasm, id, entry) {
  let at = 8;
  while (at < wasm.length) {
    const [size, start] = readU32(wasm, at + 1);
    if (wasm[at] !== id) {
      at = start + size;
      continue;
    }
    let [count, p] = readU32(wasm, start);
    const entries = [...u32(count)];
    for (let i = 0; i < count; i++) {
      const [bytes, end] = entry(p);
      entries.push(...bytes);
      p = end;
    }
    const section = Buffer.from([id, ...u32(entries.length), ...entries]);
    return Buffer.concat([wasm.subarray(0, at), section, wasm.subarray(start + size)]);
  }
  return wasm;
}

/** Returns the wasm and the glue with wasm-bindgen's exports that the glue
 * calls renamed `$0`, `$1`, …: the closure invokers carry a hash
 * (`wasm_bindgen__convert__closures_____invoke__h5cb1dd1cae79fdaa`) that gzip
 * cannot compress, and `__wbindgen_malloc` is spelled 14 times. `memory`,
 * `main` and any export the glue does not name keep their names. */
export function shortenExports(wasm, glue) {
  let renamed = 0;
  const out = rewriteSection(wasm, 7, (p) => {
    const [field, afterField] = readName(wasm, p);
    const end = readU32(wasm, afterField + 1)[1];
    let newField = field;
    const key = wholeName(field);
    if (/^__wbindgen_|^__externref_|_invoke__h[0-9a-f]{16}$/.test(field) && key.test(glue)) {
      newField = `$${renamed++}`;
      glue = glue.replace(key, () => newField);
    }
    return [[...name(newField), ...wasm.subarray(afterField, end)], end];
  });
  return { wasm: out, glue, renamed };
}

/** Returns the wasm and the glue with the glue's imports renamed. */
export function shortenImports(wasm, glue) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  let renamed = 0;
  const out = rewriteSection(wasm, 2, (p) => {
    const [module, afterModule] = readName(wasm, p);
    const [field, afterField] = readName(wasm, afterModule);
    const end = skipDescription(wasm, afterField);
    let newField = field;
    if (MODULE.test(module)) {
      newField = shortName(renamed++);
      const key = wholeName(field);
      const found = glue.match(key)?.length ?? 0;
      if (found !== 1) throw new Error(`import ${field}: found ${found} times in the glue, not once`);
      glue = glue.replace(key, () => newField);
    }
    return [[...name(module), ...name(newField), ...wasm.subarray(afterField, end)], end];
  });
  return { wasm: out, glue, renamed };
}
