// A list that renders only the rows in view, so 10,000 customers scroll without stutter.
// Rows have a fixed height; a spacer gives the scrollbar its full length.
//
// A row whose item has not changed keeps its node across repaints (a refresh that brings
// nothing new, a resize, a scroll by a few rows): a click whose mousedown and mouseup straddle
// a repaint still lands, focus stays on its row, and the page does less work.

/** How long a rendered row may be kept before it is drawn again (its "há 3 min" moves on). */
const KEEP_MS = 60_000;

export class VirtualList {
  /**
   * @param {HTMLElement} viewport scrolling container
   * @param {{rowHeight: number, renderRow: (item: any, index: number) => HTMLElement, onNearEnd?: () => void}} options
   */
  constructor(viewport, { rowHeight, renderRow, onNearEnd }) {
    this.viewport = viewport;
    this.rowHeight = rowHeight;
    this.renderRow = renderRow;
    this.onNearEnd = onNearEnd;
    this.items = [];
    this.context = '';
    /** @type {Map<string, {node: HTMLElement, at: number}>} the rows on screen, by their item's content */
    this.drawn = new Map();
    this.spacer = document.createElement('div');
    this.spacer.className = 'virtual-spacer';
    this.rows = document.createElement('div');
    this.rows.className = 'virtual-rows';
    this.rows.setAttribute('role', 'rowgroup');
    this.spacer.append(this.rows);
    viewport.replaceChildren(this.spacer);
    this.first = -1;
    this.last = -1;
    viewport.addEventListener('scroll', () => this.paint(), { passive: true });
    new ResizeObserver(() => this.paint(true)).observe(viewport);
  }

  /**
   * Replaces the items (a new search) or appends (the next page). `context` is what rows show
   * besides their item (a sync running, say): when it changes, every row is drawn again.
   */
  setItems(items, context = '') {
    this.items = items;
    this.context = context;
    this.spacer.style.height = `${items.length * this.rowHeight}px`;
    this.paint(true);
  }

  paint(force = false) {
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const overscan = 10;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - overscan);
    const last = Math.min(this.items.length, Math.ceil((top + height) / this.rowHeight) + overscan);
    if (!force && first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    this.rows.style.transform = `translateY(${first * this.rowHeight}px)`;
    const now = Date.now();
    const drawn = new Map();
    const nodes = [];
    for (let i = first; i < last; i++) {
      const key = `${this.context}|${i}|${JSON.stringify(this.items[i])}`;
      let kept = this.drawn.get(key);
      if (!kept || now - kept.at > KEEP_MS) kept = { node: this.renderRow(this.items[i], i), at: now };
      drawn.set(key, kept);
      nodes.push(kept.node);
    }
    this.drawn = drawn;
    const shown = this.rows.children;
    const same = shown.length === nodes.length && nodes.every((n, i) => shown[i] === n);
    if (!same) this.rows.replaceChildren(...nodes);
    if (this.onNearEnd && last >= this.items.length - 20) this.onNearEnd();
  }
}
