/**
 * The public API of numpack-core: {@link dev.numpack.NumPack} (a store directory of named arrays, opened
 * writable or read-only), its arrays and views ({@link dev.numpack.NdArray}, {@link dev.numpack.LazyArray},
 * {@link dev.numpack.RowStream}), the two batch modes, {@link dev.numpack.DType}, {@link dev.numpack.Durability}
 * and the unchecked {@link dev.numpack.NumPackException} family, each naming the store and the array.
 *
 * <p>Exported by the module {@code dev.numpack}. May depend on every package of numpack-core and on
 * {@code java.base} only. The layers below it ({@code dev.numpack.internal..}) may use from here only
 * {@code DType} and the exceptions, so these are the one place where the public surface and the engine meet.
 */
package dev.numpack;
