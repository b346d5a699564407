// Moved to components/naming.ts; this re-export goes once the live tools import from there.
export * from "../components/naming";
