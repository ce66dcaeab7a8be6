// The pages' own script (no inline script: the Content-Security-Policy allows only files of
// this site). A button with data-clear-after="ID" empties the field ID once its htmx request
// succeeded (the "add skill" field of the challenge form).
document.addEventListener("htmx:afterRequest", function (event) {
  var source = event.detail.elt;
  if (!event.detail.successful || !source || !source.dataset) return;
  var id = source.dataset.clearAfter;
  var field = id && document.getElementById(id);
  if (field) field.value = "";
});
