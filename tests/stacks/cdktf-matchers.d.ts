// Types of the matchers jest.setup.js registers (toHaveResourceWithProperties, ...).
import "cdktf/lib/testing/adapters/jest";
