// A list that renders only the rows in view, so 10,000 customers scroll without stutter.
// Rows have a fixed height; a spacer gives the scrollbar its full length.

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

  /** Replaces the items (a new search) or appends (the next page). */
  setItems(items) {
    this.items = items;
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
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) fragment.append(this.renderRow(this.items[i], i));
    this.rows.replaceChildren(fragment);
    if (this.onNearEnd && last >= this.items.length - 20) this.onNearEnd();
  }
}
