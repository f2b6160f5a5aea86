/** One page of a listing: its items and the listing's total. */
export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * Fetches up to `max` items of a paged listing. The first page tells the total and the server's real page size
 * (a server caps `limit` at its maximum page); the other pages are then fetched `concurrency` at a time.
 */
export async function fetchPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  max: number,
  pageSize: number,
  concurrency: number,
): Promise<{ items: T[]; total: number }> {
  const first = await fetchPage(0, Math.min(pageSize, max));
  const wanted = Math.min(max, first.total);
  const size = first.items.length;
  if (size === 0 || size >= wanted) return { items: first.items.slice(0, wanted), total: first.total };
  const offsets: number[] = [];
  for (let offset = size; offset < wanted; offset += size) offsets.push(offset);
  const pages: T[][] = new Array<T[]>(offsets.length);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const i = next++;
      const offset = offsets[i] as number;
      pages[i] = (await fetchPage(offset, Math.min(size, wanted - offset))).items;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));
  return { items: [...first.items, ...pages.flat()].slice(0, wanted), total: first.total };
}
