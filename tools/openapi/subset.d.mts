// Types for subset.mjs, for the TypeScript that imports it.
export type Json = Record<string, unknown>;
export interface OperationRef {
    method: string;
    path: string;
}
export interface SubsetSource {
    repository: string;
    path: string;
    commit: string;
}
export declare function refsIn(node: unknown): string[];
export declare function parseComponentRef(ref: string): { section: string; name: string } | undefined;
export declare function withUpperCaseRangeKeys(operation: Json, label: string): { operation: Json; fixups: string[] };
export declare function reachableComponents(spec: Json, roots: unknown): { components: Record<string, Record<string, unknown>>; errors: string[] };
export declare function buildSubset(spec: Json, operations: OperationRef[], source?: SubsetSource): { document: Json; errors: string[] };
export declare function serializeSubset(document: Json): string;
export declare function gitBlobSha1(content: Uint8Array | string): string;
