// dealflow console: the quote builder re-prices when a line's field
// changes (the same as pressing "Price"). Everything works without it.
(function () {
  var form = document.getElementById("quote-form");
  var price = document.getElementById("price");
  if (!form || !price) return;
  form.querySelectorAll("[data-reprice]").forEach(function (el) {
    el.addEventListener("change", function () { form.requestSubmit(price); });
  });
})();
