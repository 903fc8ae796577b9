/** Event `eventDate` (epoch seconds with a ms fraction) to integer epoch ms, exactly. */
export function eventDateMs(eventDateSeconds: number): number {
  return Math.round(eventDateSeconds * 1000);
}
