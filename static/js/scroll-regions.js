// A table wider than its box scrolls inside .table-responsive: while it does, the box can be
// reached with the keyboard (to scroll with the arrow keys) and is named after its table for
// screen readers (WCAG 2.1.1). Boxes that do not scroll stay out of the tab order.
(() => {
  const nameOf = (box) => {
    const table = box.querySelector("table");
    if (!table) return "Scrolling content";
    const labelledBy = table.getAttribute("aria-labelledby");
    const label =
      table.getAttribute("aria-label") ||
      (labelledBy && document.getElementById(labelledBy)?.textContent) ||
      table.caption?.textContent ||
      "Table";
    return `${label.trim()} (scrolls sideways)`;
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
