/** Dates shown to people: GOV.UK style ("5 January 2026"), always in London time. */
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const shortDateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

export function formatDate(value: string | Date): string {
  // A bare YYYY-MM-DD is a calendar date, not an instant: read it at noon UTC so no zone shifts it.
  const date =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? new Date(`${value}T12:00:00Z`)
      : new Date(value);
  return dateFormat.format(date);
}

/** "5 Jan 2026": where a table has little room (GOV.UK allows abbreviated months there). */
export function formatShortDate(value: string | Date): string {
  const date =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? new Date(`${value}T12:00:00Z`)
      : new Date(value);
  return shortDateFormat.format(date).replace('Sept', 'Sep');
}

export function formatDateTime(value: string | Date): string {
  return dateTimeFormat.format(new Date(value)).replace(' at ', ', ');
}
