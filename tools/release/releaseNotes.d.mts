// Types for releaseNotes.mjs, for the tests that check the release's gate and notes.

/** The package's name and version, and the tarball `npm pack` makes of them. */
export declare function packageManifest(root?: string): { name: string; version: string; tarball: string };

/** The CHANGELOG's released versions, newest first. */
export declare function releasedVersions(changelog: string): string[];

/** The body of the CHANGELOG's `## <version>` section; undefined without one. */
export declare function releaseSection(changelog: string, version: string): string | undefined;

/** The notes for `tag`, or the reasons it cannot be released. */
export declare function releaseNotes(tag: string, root?: string): { ok: true; notes: string } | { ok: false; problems: string[] };
