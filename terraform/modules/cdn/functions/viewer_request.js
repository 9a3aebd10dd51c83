// CloudFront Function (cloudfront-js-2.0), viewer request, on every behaviour of the distribution.
//
// Thumbnails: reduce Accept to one token with exactly the router's /thumb rule (only explicitly listed
// types count, wildcards never pick a modern format, q=0 refuses, highest q wins, ties go to AVIF, only
// the first 1024 characters are read, cut at the last whole item), put that token alone in the
// x-thumb-format header (the only header in the cache key), and ask the origin for the variant's key
// (`a_50x50.jpg` + `.webp`), the name the router writes variants under.
// Originals: the /originals/ prefix routes to the source bucket and is removed before the origin.
// A Terraform template (templatefile): VARIANTS is true only when the router is the failover origin, since
// the bucket holds variants only once the router has made them; without it every viewer gets the stored
// thumbnail and the token is always "none". tests/terraform/test_cdn_function.py renders it with real
// Terraform and runs it under Node over the router's Accept table.

var VARIANTS = ${variants};
var MAX_ACCEPT = 1024;
var FORMATS = [["avif", "image/avif"], ["webp", "image/webp"]]; // best first, as the router's presets
var ORIGINALS = "/originals/";
var Q_VALUE = /^-?\d+(\.\d+)?$/;

function qualities(accept) {
    var quality = {};
    var items = accept.split(",");
    for (var i = 0; i < items.length; i++) {
        var parts = items[i].split(";");
        var mime = parts[0].trim().toLowerCase();
        if (!mime) {
            continue;
        }
        var q = 1;
        var valid = true;
        for (var j = 1; j < parts.length; j++) {
            var eq = parts[j].indexOf("=");
            if (eq < 0 || parts[j].slice(0, eq).trim().toLowerCase() !== "q") {
                continue;
            }
            var text = parts[j].slice(eq + 1).trim();
            q = Q_VALUE.test(text) ? parseFloat(text) : NaN;
            valid = !isNaN(q) && q >= 0 && q <= 1; // an invalid q drops the item, as the router's parser does
        }
        if (valid) {
            quality[mime] = mime in quality ? Math.min(q, quality[mime]) : q; // twice: the lower q
        }
    }
    return quality;
}

function formatToken(accept) {
    if (!accept) {
        return "none";
    }
    if (accept.length > MAX_ACCEPT) {
        var cut = accept.slice(0, MAX_ACCEPT);
        accept = cut.slice(0, Math.max(cut.lastIndexOf(","), 0)); // a cut item might have lost its ;q=0
    }
    var quality = qualities(accept);
    var best = "none";
    var bestQ = 0;
    for (var i = 0; i < FORMATS.length; i++) {
        var q = quality[FORMATS[i][1]] || 0;
        if (q > bestQ) {
            best = FORMATS[i][0];
            bestQ = q;
        }
    }
    return best;
}

function handler(event) {
    var request = event.request;
    if (request.uri.indexOf(ORIGINALS) === 0) {
        request.uri = request.uri.slice(ORIGINALS.length - 1);
        return request;
    }
    var accept = request.headers.accept ? request.headers.accept.value : "";
    var token = VARIANTS ? formatToken(accept) : "none";
    request.headers["x-thumb-format"] = {value: token};
    if (token !== "none" && request.uri.slice(-(token.length + 1)) !== "." + token) {
        request.uri = request.uri + "." + token; // a HEIC's thumbnail is already .webp: no second .webp
    }
    return request;
}
