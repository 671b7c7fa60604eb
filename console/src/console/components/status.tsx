/** A status word with a colour that never carries the meaning alone (the word is always there). */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {label ?? status}
    </span>
  );
}
