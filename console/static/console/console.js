// The console's few behaviours, without a build step. htmx sends the page's CSRF token (from
// <body hx-headers>); this file folds the navigation behind its Menu button on a narrow screen
// (without it the navigation simply stays open) and fills a form from a counter-offer's button.
(function () {
  var toggle = document.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  toggle.closest(".sidebar").classList.add("collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });
})();

// A table wider than its box scrolls inside it; the box then takes the keyboard's focus, so that
// arrow keys scroll it too. Again after htmx swaps results in, and when the window changes size.
function focusScrollingTables() {
  document.querySelectorAll(".table-wrap").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
  });
}
focusScrollingTables();
document.addEventListener("htmx:afterSettle", focusScrollingTables);
window.addEventListener("resize", focusScrollingTables);

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-fill]");
  if (!button) return;
  var form = document.getElementById(button.getAttribute("data-form"));
  var field = form && form.elements[button.getAttribute("data-fill")];
  if (!field) return;
  field.value = button.getAttribute("data-value");
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.focus();
});
