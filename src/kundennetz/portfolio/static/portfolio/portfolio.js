/* Download the portfolio picture as PNG: the browser draws the inline SVG onto a canvas, so the server
   needs no image library. Twice the size of the picture, for sharp print. */
(function () {
  "use strict";
  function download(button) {
    var figure = document.querySelector(button.getAttribute("data-png-source"));
    var svg = figure && figure.querySelector("svg");
    if (!svg) { return; }
    var box = svg.viewBox && svg.viewBox.baseVal;
    var width = (box && box.width) || svg.clientWidth, height = (box && box.height) || svg.clientHeight;
    var xml = new XMLSerializer().serializeToString(svg);
    var source = URL.createObjectURL(new Blob([xml], {type: "image/svg+xml;charset=utf-8"}));
    var image = new Image();
    image.onload = function () {
      var scale = 2, canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(source);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-filename") || "portfolio.png";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }, "image/png");
    };
    image.src = source;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-png-source]");
    if (button) { event.preventDefault(); download(button); }
  });
})();
