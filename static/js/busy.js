// Long actions (preparing a report file, checking an import) say so at once: a form marked
// data-busy="What is being done…" greys out its submit buttons, reads "Working…" on the one
// pressed and announces what is being done, until the next page arrives. A second press does
// not send the form again. "Working…" is the page's language: the script tag's data-working.
(() => {
  const working = document.currentScript?.dataset.working || "Working…";
  const reset = (form) => {
    delete form.dataset.busyState;
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("[data-busy-label]")) {
      button.disabled = false;
      if (button instanceof HTMLInputElement) button.value = button.dataset.busyLabel;
      else button.textContent = button.dataset.busyLabel;
      delete button.dataset.busyLabel;
    }
    form.querySelector(".busy-status")?.remove();
  };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
    if (form.dataset.busyState) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) return;
    form.dataset.busyState = "on";
    const pressed = event.submitter;
    // After the browser has taken the form's values (a disabled or relabelled button would
    // change them), show the busy state.
    setTimeout(() => {
      form.setAttribute("aria-busy", "true");
      for (const button of form.querySelectorAll('button[type="submit"], input[type="submit"], button:not([type])')) {
        const isInput = button instanceof HTMLInputElement;
        button.dataset.busyLabel = isInput ? button.value : button.textContent;
        button.disabled = true;
        if (button === pressed || !pressed) {
          if (isInput) button.value = working;
          else button.textContent = working;
        }
      }
      const status = document.createElement("p");
      status.className = "busy-status small mt-2 mb-0";
      status.setAttribute("role", "status");
      status.textContent = form.dataset.busy || working;
      form.append(status);
    }, 0);
  });

  // Back to a page kept in the browser's cache: its forms are ready again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) document.querySelectorAll("form[data-busy-state]").forEach(reset);
  });
})();
