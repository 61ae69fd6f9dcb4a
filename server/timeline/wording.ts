/**
 * How timeline entries read. Each domain words its own entry kinds (a `TimelineWording`,
 * beside the code that appends them); app.ts hands the other domains' wordings to
 * correspondence, whose case page shows the timeline. An entry no domain words shows the
 * `title` and `description` it was written with (the clock's entries).
 */

/** An entry's stored facts (`case_events.data`), as its domain wrote them. */
export type EntryData = Record<string, unknown>;

/** What one entry reads as on the case page. */
export interface EntryWords {
  title: string;
  description: string;
}

/** A domain's words for its own entry kinds, worked out from each entry's facts. */
export type TimelineWording = Readonly<Record<string, (data: EntryData) => EntryWords>>;

/** A text fact of an entry, or '' when it is absent or not text. */
export const fact = (data: EntryData, key: string): string =>
  typeof data[key] === 'string' ? data[key] : '';

/** A text fact in curly quotes with a full stop, or '' when there is none. */
export const quotedFact = (data: EntryData, key: string): string =>
  fact(data, key) ? `“${fact(data, key)}”.` : '';
