/**
 * The torture suite of stores and checkpoints (issue 12). Each sub-package is one kind of torture: mutation
 * fuzzing of stores and input files, {@code kill -9} trials of child JVMs, a power-loss simulation, and
 * concurrent readers against one writer. The mode comes from the system property
 * {@code numpack.reliability}: {@code ci} (the default, inside {@code mvn verify}) or {@code long}
 * ({@code mvn -pl numpack-reliability -am verify -Dnumpack.reliability=long}).
 */
package dev.numpack.reliability;
