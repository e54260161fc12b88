// Print buttons (no inline handlers: the pages run under a strict Content-Security-Policy).
document.querySelectorAll(".js-print").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
