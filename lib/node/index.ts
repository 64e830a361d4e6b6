/**
 * `tidemark/node`: file and socket sources (and, later, the file sink). Node only.
 * @packageDocumentation
 */
export {};
