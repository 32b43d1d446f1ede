// The playground's state in the URL fragment, so a link reproduces it and no server sees it:
// `#p=<base64url(deflate-raw(JSON))>` with JSON `{v: 1, active, files: [[path, text | 0]]}`,
// where `0` stands for "the example's text of that path" (a link to a one-line change of the
// example stays short). Example files missing from the list were deleted. No fragment means
// the untouched example.

const PREFIX = '#p=';

async function pipe(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

function toBase64Url(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** `files`: [{path, text}] in display order; `example`: the same shape. */
export function isPristine(files, example) {
  return (
    files.length === example.length && files.every((f, i) => f.path === example[i].path && f.text === example[i].text)
  );
}

export async function encodeState({ files, active }, example) {
  const base = new Map(example.map((f) => [f.path, f.text]));
  const json = JSON.stringify({ v: 1, active, files: files.map((f) => [f.path, base.get(f.path) === f.text ? 0 : f.text]) });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  return PREFIX + toBase64Url(packed);
}

/** Returns `{files, active}`, or null when the fragment holds no state; throws when it is damaged. */
export async function decodeState(hash, example) {
  if (!hash.startsWith(PREFIX)) return null;
  const bytes = await pipe(fromBase64Url(hash.slice(PREFIX.length)), new DecompressionStream('deflate-raw'));
  const state = JSON.parse(new TextDecoder().decode(bytes));
  if (state?.v !== 1 || !Array.isArray(state.files)) throw new Error('unknown link format');
  const base = new Map(example.map((f) => [f.path, f.text]));
  const files = state.files.map(([path, text]) => {
    if (typeof path !== 'string') throw new Error('a file without a path');
    const t = text === 0 ? base.get(path) : text;
    if (typeof t !== 'string') throw new Error(`no text for ${path}`);
    return { path, text: t };
  });
  return { files, active: typeof state.active === 'string' ? state.active : files[0]?.path };
}
