/**
 * A redactor sees every log line (message and fields) before it is written and
 * returns what may be written. The secrets feature registers one that masks
 * secret values; nothing here knows what a secret is.
 */
export type LogRedactor = (line: { message: string; fields: Record<string, unknown> }) => {
  message: string;
  fields: Record<string, unknown>;
};

const redactors: LogRedactor[] = [];

/** Returns a function that removes the redactor again. */
export function addLogRedactor(redactor: LogRedactor): () => void {
  redactors.push(redactor);
  return () => {
    const index = redactors.indexOf(redactor);
    if (index >= 0) redactors.splice(index, 1);
  };
}

export function hasLogRedactors(): boolean {
  return redactors.length > 0;
}

export function redactLogLine(message: string, fields: Record<string, unknown>): { message: string; fields: Record<string, unknown> } {
  let line = { message, fields };
  for (const redactor of redactors) line = redactor(line);
  return line;
}
