// Validates FHIR R4 resources (the engine's hand-off bundles) against the R4
// StructureDefinitions and value sets, with FHIR.js (the `fhir` package).
//
//   node tests/fhir/validate.mjs FILE.json...
//
// Every fatal, error and warning is a failure: a property R4 does not define
// or lacks, a value of the wrong form, a code outside a `required` value set
// (errors), or outside an `extensible` one (warnings). Codes are not checked
// against value sets that R4 binds only as `example` or `preferred` (such as
// ServiceRequest.reasonCode, Observation.code, Resource.language): R4 says
// instances need not draw from those, and FHIR.js would warn on every code
// outside the few it lists. Prints each problem as `file: severity location:
// message` and exits 1 on any; 2 on bad usage. Install first with
// `npm ci --prefix tests/fhir`.
import { readFileSync } from "node:fs";
import fhir from "fhir";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tests/fhir/validate.mjs FILE.json...");
  process.exit(2);
}

const validator = new fhir.Fhir();

/** The value sets that every R4 binding binds as `example` or `preferred`. */
function unconstrainingValueSets(definitions) {
  const strengths = new Map();
  const visit = (properties) => {
    for (const property of properties || []) {
      if (property._valueSet) {
        const url = property._valueSet.split("|")[0];
        if (!strengths.has(url)) strengths.set(url, new Set());
        strengths.get(url).add(property._valueSetStrength);
      }
      visit(property._properties);
    }
  };
  Object.values(definitions).forEach((definition) => visit(definition._properties));
  const loose = new Set(["example", "preferred"]);
  return new Set(
    [...strengths].filter(([, found]) => [...found].every((s) => loose.has(s))).map(([url]) => url),
  );
}

const unconstraining = unconstrainingValueSets(validator.parser.parsedStructureDefinitions);
const options = {
  errorOnUnexpected: true,
  beforeCheckCode: (valueSetUrl) => unconstraining.has(valueSetUrl),
};
const failing = new Set(["fatal", "error", "warning"]);
let problems = 0;
for (const file of files) {
  let resource;
  try {
    resource = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`${file}: cannot be read as JSON: ${error.message}`);
    problems += 1;
    continue;
  }
  const result = validator.validate(resource, options);
  const found = result.messages.filter((m) => failing.has(m.severity));
  for (const m of found) {
    const where = m.resourceId && m.resourceId !== "#initial" ? ` (resource ${m.resourceId})` : "";
    console.error(`${file}: ${m.severity} ${m.location || "(resource)"}${where}: ${m.message}`);
  }
  if (!result.valid && found.length === 0) {
    console.error(`${file}: invalid, with no message from the validator`);
    problems += 1;
  }
  problems += found.length;
}
if (problems > 0) {
  console.error(`${problems} problem(s) in ${files.length} file(s)`);
  process.exit(1);
}
console.log(`${files.length} file(s) valid FHIR R4`);
