# Multi-label image tagging; the accuracy helper was copied from a single-label project.
import torch
import torch.nn as nn


def accuracy(outputs, targets):
    preds = outputs.argmax(dim=1)
    return (preds == targets.argmax(dim=1)).float().mean().item()  # expect: HC303


class Tagger(nn.Module):
    def __init__(self, n_tags=12):
        super().__init__()
        self.backbone = nn.Sequential(nn.Flatten(), nn.Linear(3 * 64 * 64, 256), nn.ReLU())
        self.out = nn.Linear(256, n_tags)

    def forward(self, x):
        return self.out(self.backbone(x))


model = Tagger()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
for images, tags in train_loader:
    logits = model(images)
    loss = criterion(logits, tags.float())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(loss.item(), accuracy(logits, tags))
