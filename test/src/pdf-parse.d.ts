// The library's entry file runs a self-test when loaded without a parent module; its implementation file
// does not, so tests import that one, typed like the package.
declare module 'pdf-parse/lib/pdf-parse.js' {
  import pdf from 'pdf-parse';
  export default pdf;
}
