/**
 * The Chime SDK Messaging emulator now lives in ./chime/ (split by concern); this module keeps
 * the import path everyone already uses.
 */
export * from './chime/index.js';
