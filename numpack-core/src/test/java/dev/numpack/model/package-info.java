/**
 * The in-memory model of a store and the random operation sequences (jqwik) run against both the model and
 * a real store, compared after every step through every read path. The crash tests replay the same
 * sequences.
 *
 * <p>Test code. Uses the public API, and the engine's layout and journal where a property inspects files.
 */
package dev.numpack.model;
