/** docker provider `labels` blocks ({label, value}) as an engine label map. */
export function labelMap(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of (labels as { label: string; value: string }[] | undefined) ??
    []) {
    out[l.label] = l.value;
  }
  return out;
}

export const LABEL_SCHEMA = {
  label: { kind: "string" },
  value: { kind: "string" },
} as const;
