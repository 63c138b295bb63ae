/**
 * The pickler's growable output buffer, with protocol 4 framing done the way CPython's C pickler
 * does it, so frame boundaries (and therefore bytes) match.
 */
import { encodeUtf8Into } from './utf8';

/** A frame is closed at the first object boundary after it reaches this size. */
const FRAME_SIZE_TARGET = 64 * 1024;
/** Frames shorter than this are written without a FRAME header. */
const FRAME_SIZE_MIN = 4;
/** FRAME opcode + 8-byte length. */
const FRAME_HEADER_SIZE = 9;
const FRAME = 0x95;

/** The size of a new output buffer. */
const INITIAL_SIZE = 256;
/** Buffers up to this size are kept for the next dump; larger ones are left to the collector. */
const SPARE_MAX = 2 * 1024 * 1024;
const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);

/**
 * One buffer kept between dumps. Allocating a buffer (and its DataView) cost more than the rest of
 * a small dump, and a big dump's buffer spares the next one its growing. A dump takes it in
 * {@link Output.reset} and gives it back in {@link Output.finish}, so a dump run from inside
 * another (a reducer calling `dumps`) finds none and allocates its own.
 */
let spare: { buf: Uint8Array<ArrayBuffer>; view: DataView<ArrayBuffer> } | null = null;

/** Bytes written so far, with methods for the little-endian and big-endian fields pickle uses. */
export class Output {
  buf = NO_BYTES;
  pos = 0;
  /** Where the current frame's reserved header starts, or -1 when not framing. */
  private frameStart = -1;
  private view = NO_VIEW;

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, INITIAL_SIZE);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  byte2(a: number, b: number): void {
    this.ensure(2);
    this.buf[this.pos++] = a;
    this.buf[this.pos++] = b;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** ASCII text (opcode arguments of protocol 0). */
  ascii(s: string): void {
    this.ensure(s.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  u64(v: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.view.setUint32(this.pos + 4, Math.floor(v / 0x100000000), true);
    this.pos += 8;
  }

  f64be(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, false);
    this.pos += 8;
  }

  /** Writes the UTF-8 (surrogatepass) bytes of `s`; returns how many. */
  utf8(s: string): number {
    this.ensure(s.length * 3);
    const n = encodeUtf8Into(s, this.buf, this.pos);
    this.pos += n;
    return n;
  }

  /** Overwrites a 32-bit little-endian field written earlier (a length not known in advance). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  // --- Framing (protocol 4+) ---

  /** Starts framing: from now on output goes into frames. */
  startFraming(): void {
    this.newFrame();
  }

  private newFrame(): void {
    this.ensure(FRAME_HEADER_SIZE);
    this.frameStart = this.pos;
    this.pos += FRAME_HEADER_SIZE;
  }

  /** Called before each object is saved: closes the frame once it is large enough. */
  frameBoundary(): void {
    if (this.frameStart >= 0 && this.pos - this.frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) {
      this.commitFrame();
      this.newFrame();
    }
  }

  /** Writes the current frame's header, or drops it when the frame is too small to need one. */
  private commitFrame(): void {
    const start = this.frameStart;
    if (start < 0) return;
    const size = this.pos - start - FRAME_HEADER_SIZE;
    if (size >= FRAME_SIZE_MIN) {
      this.buf[start] = FRAME;
      this.view.setUint32(start + 1, size >>> 0, true);
      this.view.setUint32(start + 5, Math.floor(size / 0x100000000), true);
    } else {
      this.buf.copyWithin(start, start + FRAME_HEADER_SIZE, this.pos);
      this.pos -= FRAME_HEADER_SIZE;
    }
    this.frameStart = -1;
  }

  /** Whether a payload of `n` bytes is written outside frames (CPython's large-object rule). */
  isLarge(n: number): boolean {
    return this.frameStart >= 0 && n >= FRAME_SIZE_TARGET;
  }

  /** Closes the current frame before a large payload; {@link endLarge} opens the next one. */
  beginLarge(): void {
    this.commitFrame();
  }

  endLarge(): void {
    this.newFrame();
  }

  /** The finished bytes (a copy sized to fit); the buffer goes back to be reused. */
  finish(): Uint8Array {
    this.commitFrame();
    const bytes = this.buf.slice(0, this.pos);
    if (this.buf.length <= SPARE_MAX) spare = { buf: this.buf, view: this.view };
    this.buf = NO_BYTES;
    this.pos = 0;
    return bytes;
  }

  /** Starts a new output: forgets everything written, and takes the spare buffer if it has none. */
  reset(): void {
    this.pos = 0;
    this.frameStart = -1;
    if (this.buf !== NO_BYTES) return;
    if (spare !== null) {
      this.buf = spare.buf;
      this.view = spare.view;
      spare = null;
    } else {
      this.buf = new Uint8Array(INITIAL_SIZE);
      this.view = new DataView(this.buf.buffer);
    }
  }
}
