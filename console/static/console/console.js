// The console's few behaviours, without a build step. htmx sends the page's CSRF token (from
// <body hx-headers>); this file only fills a form from a counter-offer's button.
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
