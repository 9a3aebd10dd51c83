// Runs a CloudFront Function file under Node: argv[2] is the function's file, stdin a JSON list of
// viewer-request events; prints the JSON list of what the function returns for each.
// The file runs in a fresh context with nothing but the language (no require, no module), as at the edge.
"use strict";
const fs = require("fs");
const vm = require("vm");

const handler = vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8") + "\n;handler", {});
const events = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(events.map((event) => handler(event))));
