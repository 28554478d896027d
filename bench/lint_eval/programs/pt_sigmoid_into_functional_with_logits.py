import torch
import torch.nn.functional as F

def train_step(model, x, y, opt):
    probs = torch.sigmoid(model(x))
    loss = F.binary_cross_entropy_with_logits(probs, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()

model = torch.nn.Linear(50, 5)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in loader:
    train_step(model, x, y, opt)
