package dev.numpack.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The training curves (train loss; train and validation accuracy), as a chart and as a PNG. */
public final class Curves {
    private Curves() {}

    /**
     * @param points one per epoch, in order (at least one)
     * @return the chart, 800 x 450 pixels, to show or save
     */
    public static XYChart chart(List<EpochReport.Point> points) {
        double[] epochs = new double[points.size()];
        double[] loss = new double[points.size()];
        double[] train = new double[points.size()];
        double[] validation = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            EpochReport.Point p = points.get(i);
            epochs[i] = p.epoch();
            loss[i] = p.trainLoss();
            train[i] = p.trainAccuracy();
            validation[i] = p.validationAccuracy();
        }
        XYChart chart = new XYChartBuilder().width(800).height(450).title("Fashion-MNIST training")
                .xAxisTitle("epoch").yAxisTitle("loss / accuracy").build();
        chart.addSeries("train loss", epochs, loss);
        chart.addSeries("train accuracy", epochs, train);
        chart.addSeries("validation accuracy", epochs, validation);
        return chart;
    }

    /**
     * @param points one per epoch, in order (at least one)
     * @param png the file to write ({@code .png} is added by XChart when missing)
     * @throws IOException if the file cannot be written
     */
    public static void write(List<EpochReport.Point> points, Path png) throws IOException {
        String name = png.toString();
        BitmapEncoder.saveBitmap(chart(points), name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
