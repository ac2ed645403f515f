package dev.orderpipeline.verify;

/** The fields of one live order that a check compares between the topic and a warehouse. */
public record OrderState(long orderid, String itemid, double orderunits, String city, String state, long zipcode) {
}
