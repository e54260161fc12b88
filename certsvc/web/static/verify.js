// Progressive enhancement only: every form works without this script.
// A photo taken with the phone camera is submitted as soon as it is chosen.
document.querySelectorAll("form.js-autosubmit input[type=file]").forEach(function (input) {
  input.addEventListener("change", function () {
    if (input.files && input.files.length > 0) {
      input.form.submit();
    }
  });
});
