export * from './delivery-decision';
export * from './notification-body';
export { deliveriesFor, type DeliveryIntent } from './deliveries-for';
