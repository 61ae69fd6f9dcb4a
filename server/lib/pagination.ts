export interface PaginationItem {
  number?: number;
  href?: string;
  current?: boolean;
  ellipsis?: boolean;
}

/** Up to this many pages every number is shown; beyond, the list is cut with ellipses. */
const SHOW_EVERY_PAGE_UP_TO = 7;

/**
 * The options of the GOV.UK pagination component (`govukPagination`) for page `page` of
 * `pages`, or undefined when there is only one. A long list shows the first and last pages,
 * this one and those either side, as the Design System recommends.
 */
export function pagination(page: number, pages: number, href: (page: number) => string) {
  if (pages <= 1) return undefined;
  const shown =
    pages <= SHOW_EVERY_PAGE_UP_TO
      ? Array.from({ length: pages }, (_, i) => i + 1)
      : [...new Set([1, page - 1, page, page + 1, pages])]
          .filter((n) => n >= 1 && n <= pages)
          .sort((a, b) => a - b);
  const items: PaginationItem[] = [];
  shown.forEach((n, i) => {
    if (i > 0 && n - shown[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === page });
  });
  return {
    previous: page > 1 ? { href: href(page - 1) } : undefined,
    next: page < pages ? { href: href(page + 1) } : undefined,
    items,
  };
}
