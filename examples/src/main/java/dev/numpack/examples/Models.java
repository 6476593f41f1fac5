package dev.numpack.examples;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * The two networks the example trains on 28x28 grey images of 10 classes. Neither draws random numbers
 * while training (no dropout), so a resumed run can repeat an uninterrupted one bit for bit.
 */
public enum Models {
    /** A multilayer perceptron 784-256-128-10, ReLU: the published Fashion-MNIST MLP baseline (about 0.88). */
    MLP {
        @Override
        public Block build() {
            return new SequentialBlock()
                    .add(Blocks.batchFlattenBlock(PIXELS))
                    .add(Linear.builder().setUnits(256).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(128).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(CLASSES).build());
        }
    },
    /** A small convolutional network: two 3x3 convolution + 2x2 max-pool stages, then 128 units (about 0.91). */
    CNN {
        @Override
        public Block build() {
            return new SequentialBlock()
                    .add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().reshape(new Shape(-1, 1, SIDE, SIDE)))))
                    .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                    .add(Activation::relu)
                    .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                    .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).build())
                    .add(Activation::relu)
                    .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                    .add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(128).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(CLASSES).build());
        }
    };

    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Pixels per image. */
    public static final int PIXELS = SIDE * SIDE;
    /** Clothing classes. */
    public static final int CLASSES = 10;

    /** @return a new, uninitialised network of this kind */
    public abstract Block build();

    /** @return the shape {@code Trainer.initialize} takes: one image */
    public Shape inputShape() {
        return new Shape(1, SIDE, SIDE);
    }
}
