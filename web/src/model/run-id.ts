/** Run ids are UUIDv7: the leading digits are a timestamp shared by runs of the same minute, the trailing ones are random. */
export const shortId = (id: string): string => id.slice(-8);
