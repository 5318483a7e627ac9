/** Entry point of the function app (package.json `main` -> dist/index.js): importing a function file registers it. */
import './functions/signals';
import './functions/continuation';
import './functions/status';
