/**
 * `tidemark/node`: file and socket sources (and, later, the file sink). Node only.
 * @packageDocumentation
 */
export { readTextFile, type ReadTextFileOptions } from './read-text-file';
export { socketTextStream, type SocketTextStreamOptions } from './socket-text-stream';
