import { describe, expect, it } from 'vitest';
import { pagination } from '../../server/lib/pagination.js';

const href = (page: number) => `/list?page=${page}`;
const numbers = (p: ReturnType<typeof pagination>) =>
  p!.items.map((item) => (item.ellipsis ? '…' : String(item.number)));

describe('pagination', () => {
  it('is absent for a single page', () => {
    expect(pagination(1, 1, href)).toBeUndefined();
  });

  it('shows every page of a short list, with previous and next', () => {
    const p = pagination(2, 7, href)!;
    expect(numbers(p)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(p.previous).toEqual({ href: '/list?page=1' });
    expect(p.next).toEqual({ href: '/list?page=3' });
    expect(p.items.find((item) => item.current)?.number).toBe(2);
  });

  it('cuts a long list to the ends and this page’s neighbours', () => {
    expect(numbers(pagination(1, 400, href))).toEqual(['1', '2', '…', '400']);
    expect(numbers(pagination(50, 400, href))).toEqual(['1', '…', '49', '50', '51', '…', '400']);
    const last = pagination(400, 400, href)!;
    expect(numbers(last)).toEqual(['1', '…', '399', '400']);
    expect(last.next).toBeUndefined();
  });
});
