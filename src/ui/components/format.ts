// Date formatting for lists: formatters are costly to build, so each is built once.

const sameDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const otherDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "14:03:22" today, "21 Nov 2026, 14:03" on another day. */
export function formatTime(time: number): string {
  const date = new Date(time);
  return date.toDateString() === new Date().toDateString() ? sameDay.format(date) : otherDay.format(date);
}
