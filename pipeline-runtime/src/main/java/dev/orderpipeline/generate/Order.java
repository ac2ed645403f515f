package dev.orderpipeline.generate;

/** An order shaped like Confluent Datagen's "orders" quickstart. */
public record Order(long ordertime, long orderid, String itemid, double orderunits, Address address) {

    public record Address(String city, String state, long zipcode) {
    }

    public String toJson() {
        return "{\"ordertime\":" + ordertime + ",\"orderid\":" + orderid + ",\"itemid\":\"" + itemid
                + "\",\"orderunits\":" + orderunits + ",\"address\":{\"city\":\"" + address.city()
                + "\",\"state\":\"" + address.state() + "\",\"zipcode\":" + address.zipcode() + "}}";
    }
}
