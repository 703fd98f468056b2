// The oracle for the fault-injection suite: Apache Kafka's own Java consumer reads whole topics at an isolation
// level (read_committed filters aborted and open transactions exactly as the protocol specifies), so the check of
// the exactly-once sink does not rest on Freshet's or @platformatic/kafka's reading of transaction markers.
// Usage: java -cp '<kafka libs>/*' ReadTopics.java <bootstrap> <read_committed|read_uncommitted> <topic>...
// Prints "<topic>\t<value>" per record, then per partition "#end\t<topic>\t<partition>\t<end>\t<high watermark>";
// under read_committed the end is the last stable offset, below the high watermark while a transaction is open.
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class ReadTopics {
  public static void main(String[] args) {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("isolation.level", args[1]);
    p.put("enable.auto.commit", "false");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    Properties uncommitted = new Properties();
    uncommitted.putAll(p);
    uncommitted.put("isolation.level", "read_uncommitted");
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        KafkaConsumer<String, String> hw = new KafkaConsumer<>(uncommitted)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 2; i < args.length; i++) {
        for (PartitionInfo info : c.partitionsFor(args[i])) tps.add(new TopicPartition(info.topic(), info.partition()));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      Map<TopicPartition, Long> high = hw.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 30_000;
      while (true) {
        boolean done = true;
        for (TopicPartition tp : tps) if (c.position(tp) < end.get(tp)) done = false;
        if (done) break;
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("did not reach the end offsets " + end);
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          System.out.println(r.topic() + "\t" + r.value());
        }
      }
      for (TopicPartition tp : tps) {
        System.out.println("#end\t" + tp.topic() + "\t" + tp.partition() + "\t" + end.get(tp) + "\t" + high.get(tp));
      }
    }
  }
}
