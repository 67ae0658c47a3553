/**
 * Finds the result of a JSON-RPC success answer in a line of bytes without
 * parsing it, so the direct relay can pass a backend's result to the client
 * as the bytes it came in: a megabyte of screenshot costs one copy instead of
 * a decode, a parse, a serialization and an encode.
 *
 * Only the two compact frames real servers write are recognised:
 *   {"result":…,"jsonrpc":"2.0","id":N}   (the TypeScript SDK)
 *   {"jsonrpc":"2.0","id":N,"result":…}   (the Python SDK and most others)
 * with N a non-negative integer. Anything else (errors, other key orders,
 * whitespace) returns undefined and takes the parsing path. In a line that is
 * valid JSON the bytes returned are exactly the result's value, followed by
 * any further members the object has (a valid continuation inside an object).
 * A line that matches a frame but is not valid JSON reaches the client as it
 * is, and the client's parser rejects it where the switchboard's would have:
 * the price of not parsing every answer twice.
 */
export interface AnswerFrame {
  readonly id: number;
  /** The result's JSON, a slice of the line (not a copy). */
  readonly result: Buffer;
}

const RESULT_FIRST = Buffer.from('{"result":');
const ID_LAST = Buffer.from(',"jsonrpc":"2.0","id":');
const ID_FIRST = Buffer.from('{"jsonrpc":"2.0","id":');
const THEN_RESULT = Buffer.from(',"result":');

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
/** Long enough for any id the relay hands out, short enough to stay an exact integer. */
const MAX_ID_DIGITS = 15;

export function answerFrame(line: Buffer): AnswerFrame | undefined {
  if (line.length < 2 || line[0] !== OPEN_BRACE || line[line.length - 1] !== CLOSE_BRACE) return undefined;
  return line[2] === 0x72 /* r */ ? resultFirst(line) : idFirst(line);
}

function resultFirst(line: Buffer): AnswerFrame | undefined {
  if (!startsWith(line, RESULT_FIRST, 0)) return undefined;
  // Read backwards from the closing brace, so a megabyte line is not searched.
  const idEnd = line.length - 1;
  let idStart = idEnd;
  while (idStart > 0 && isDigit(line[idStart - 1])) idStart--;
  const id = digitsAt(line, idStart, idEnd);
  const tail = idStart - ID_LAST.length;
  if (id === undefined || tail < RESULT_FIRST.length || !startsWith(line, ID_LAST, tail)) return undefined;
  return objectResult(line, RESULT_FIRST.length, tail, id);
}

function idFirst(line: Buffer): AnswerFrame | undefined {
  if (!startsWith(line, ID_FIRST, 0)) return undefined;
  const idStart = ID_FIRST.length;
  let idEnd = idStart;
  while (idEnd < line.length && isDigit(line[idEnd])) idEnd++;
  const id = digitsAt(line, idStart, idEnd);
  if (id === undefined || !startsWith(line, THEN_RESULT, idEnd)) return undefined;
  return objectResult(line, idEnd + THEN_RESULT.length, line.length - 1, id);
}

/** A result is an object: anything else is left to the parser (and its checks). */
function objectResult(line: Buffer, start: number, end: number, id: number): AnswerFrame | undefined {
  if (end - start < 2 || line[start] !== OPEN_BRACE || line[end - 1] !== CLOSE_BRACE) return undefined;
  return { id, result: line.subarray(start, end) };
}

/** The integer written in line[start, end), if that span is 1–15 digits. */
function digitsAt(line: Buffer, start: number, end: number): number | undefined {
  const length = end - start;
  if (length < 1 || length > MAX_ID_DIGITS) return undefined;
  let value = 0;
  for (let index = start; index < end; index++) {
    const byte = line[index];
    if (!isDigit(byte)) return undefined;
    value = value * 10 + ((byte as number) - 0x30);
  }
  return value;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function startsWith(line: Buffer, prefix: Buffer, at: number): boolean {
  return line.length - at >= prefix.length && line.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}
