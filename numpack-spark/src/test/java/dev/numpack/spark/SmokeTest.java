package dev.numpack.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void starts() {
        SparkSession s = SparkSession.builder().master("local[2]").appName("t").getOrCreate();
        System.out.println("COUNT " + s.range(10).count());
        
        s.stop();
    }
}
