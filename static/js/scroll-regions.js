// A table wider than its box scrolls inside .table-responsive: while it does, the box can be
// reached with the keyboard (to scroll with the arrow keys) and is named after its table for
// screen readers (WCAG 2.1.1). Boxes that do not scroll stay out of the tab order. The words are
// the page's language: the script tag's data-scrolls ("{name} (scrolls sideways)"), data-table
// and data-content.
(() => {
  const words = document.currentScript?.dataset || {};
  const nameOf = (box) => {
    const table = box.querySelector("table");
    if (!table) return words.content || "Scrolling content";
    const labelledBy = table.getAttribute("aria-labelledby");
    const label =
      table.getAttribute("aria-label") ||
      (labelledBy && document.getElementById(labelledBy)?.textContent) ||
      table.caption?.textContent ||
      words.table ||
      "Table";
    return (words.scrolls || "{name} (scrolls sideways)").replace("{name}", label.trim());
  };
  const update = () => {
    for (const box of document.querySelectorAll(".table-responsive")) {
      const scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.dataset.scrollRegion = "";
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
      } else if (!scrolls && "scrollRegion" in box.dataset) {
        delete box.dataset.scrollRegion;
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  };
  update();
  window.addEventListener("resize", update);
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("toggle", update, true);
})();
