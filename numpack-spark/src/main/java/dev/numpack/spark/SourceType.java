package dev.numpack.spark;

import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The Spark element types the writer takes, and how one value is read from a row or an array. */
enum SourceType {
    BOOLEAN(DataTypes.BooleanType),
    BYTE(DataTypes.ByteType),
    SHORT(DataTypes.ShortType),
    INT(DataTypes.IntegerType),
    LONG(DataTypes.LongType),
    FLOAT(DataTypes.FloatType),
    DOUBLE(DataTypes.DoubleType);

    private final DataType sparkType;

    SourceType(DataType sparkType) {
        this.sparkType = sparkType;
    }

    /** @return the Spark type, or null if it is none of the numeric types the writer takes */
    static SourceType of(DataType t) {
        for (SourceType s : values()) {
            if (s.sparkType.equals(t)) {
                return s;
            }
        }
        return null;
    }

    /** @return whether values are floating point (they cannot go to an integral array) */
    boolean isFloating() {
        return this == FLOAT || this == DOUBLE;
    }

    /** @return value {@code i} of a boolean or integral source, widened (true is 1) */
    long integral(SpecializedGetters g, int i) {
        return switch (this) {
            case BOOLEAN -> g.getBoolean(i) ? 1 : 0;
            case BYTE -> g.getByte(i);
            case SHORT -> g.getShort(i);
            case INT -> g.getInt(i);
            case LONG -> g.getLong(i);
            case FLOAT, DOUBLE -> throw new IllegalStateException(this + " is not integral");
        };
    }

    /** @return value {@code i} as a double (floating sources exactly, integral ones converted) */
    double floating(SpecializedGetters g, int i) {
        return switch (this) {
            case FLOAT -> g.getFloat(i);
            case DOUBLE -> g.getDouble(i);
            default -> integral(g, i);
        };
    }
}
