/** The tags a resource lacks or has with another value: what TagResource must set. */
export function missingTags(
  desired: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).filter(([key, value]) => current?.[key] !== value));
}

export function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagRecord(list: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const { Key, Value } of list ?? []) if (Key !== undefined) record[Key] = Value ?? '';
  return record;
}
